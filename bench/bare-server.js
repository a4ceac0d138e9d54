// The ceiling: a bare Fastify server that sends a fixed page of a given size.
import Fastify from 'fastify';

const size = Number(process.argv[2] ?? 40_000);
const body = Buffer.from('<!doctype html>'.padEnd(size, 'x'));
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => reply.type('text/html; charset=utf-8').send(body));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
