// The ceiling: a bare Fastify server that sends fixed pages: the same bytes as the Hearth
// pages they are compared with (the client's cost depends on the bytes, not only on
// their number: a body of repeated 'x' is read twice as fast as a real page).
// Arguments: PATH=FILE, one for each page.
import fs from 'node:fs';
import Fastify from 'fastify';

const bodies = new Map(
  process.argv.slice(2).map((arg) => {
    const at = arg.indexOf('=');
    return [arg.slice(0, at), fs.readFileSync(arg.slice(at + 1))];
  }),
);
const app = Fastify({ logger: false });
app.get('/*', (request, reply) => {
  const body = bodies.get(request.url);
  if (!body) return reply.code(404).send('not found');
  return reply.type('text/html; charset=utf-8').send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
