// The baseline of bench/web.ts: the smallest express app, on a free port.
import express from 'express';

const app = express();
app.get('/', (_req, res) => { res.send('Hello world'); });
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening at http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
