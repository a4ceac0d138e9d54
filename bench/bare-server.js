// The ceiling: a bare Fastify server that sends a fixed page: the same bytes as the
// Hearth page it is compared with (the client's cost depends on the bytes, not only on
// their number: a body of repeated 'x' is read twice as fast as a real page).
import fs from 'node:fs';
import Fastify from 'fastify';

const body = fs.readFileSync(process.argv[2]);
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => reply.type('text/html; charset=utf-8').send(body));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
