import { once } from 'node:events';
import { Agent, request } from 'node:http';
import express from 'express';
import { listen } from '../../../core/http/server.js';
describe('probe', () => {
  it('idle', async function () {
    this.timeout(30000);
    const app = express(); app.get('/', (_q, s) => { s.send('ok'); });
    for (let i = 0; i < 3; i++) {
      const r = await listen(app, { port: 0, host: '127.0.0.1' });
      const port = Number(new URL(r.where).port);
      const agent = new Agent({ keepAlive: true });
      const t0 = Date.now();
      const closed = await new Promise<Promise<unknown>>((resolve) => {
        request({ host: '127.0.0.1', port, path: '/', agent }, (res) => { const c = once(res.socket, 'close'); res.resume(); res.on('end', () => resolve(c)); }).end();
      });
      if (i === 1) await new Promise((r2) => setTimeout(r2, 50));
      const t1 = Date.now();
      await r.stop(120000);
      console.log(i, 'stop took', Date.now() - t1);
      await closed; console.log('closed after', Date.now() - t0);
      agent.destroy();
    }
  });
});
