import { expect } from 'chai';
import { CacheStore } from '../../../core/cache/cache-store.js';
import { ConfigStore } from '../../../core/config/config-store.js';
import { LockStore } from '../../../core/lock/lock-store.js';
import type { Site } from '../../../core/site/site.js';
import { DRIVERS, installTestSite, makeCodebase, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

for (const driver of DRIVERS) {
  describe(`config, cache and locks on ${driver}`, () => {
    let tc: TestCodebase;
    let site: Site;
    before(async () => {
      tc = makeCodebase();
      site = await installTestSite(tc, driver);
    });
    after(async () => {
      await site.close();
      tc.cleanup();
    });

    it('stores JSON values by key, overwrites, lists by prefix and deletes', async () => {
      const c = site.config;
      await c.set('alpha.list', [1, 'two', { three: true }]);
      await c.set('alpha.list', [1, 'two', { three: false }]);
      expect(await c.get('alpha.list')).to.deep.equal([1, 'two', { three: false }]);
      await c.set('alpha.unicode', 'Grüße 🌍 \'quoted\' "double"');
      expect(await c.get('alpha.unicode')).to.equal('Grüße 🌍 \'quoted\' "double"');
      expect((await c.list('alpha.')).map((r) => r.key)).to.include.members(['alpha.list', 'alpha.unicode', 'alpha.installed']);
      expect(await c.delete('alpha.list')).to.equal(true);
      expect(await c.delete('alpha.list')).to.equal(false);
      expect(await c.get('alpha.list', 'fallback')).to.equal('fallback');
    });

    it('sql-injection: a LIKE prefix with wildcards matches literally', async () => {
      await site.config.set('alpha.x_y', 1);
      await site.config.set('alpha.xzy', 2);
      expect((await site.config.list('alpha.x_')).map((r) => r.key)).to.deep.equal(['alpha.x_y']);
      expect(await site.config.list("alpha.%' OR 1=1 --")).to.deep.equal([]);
    });

    it('rejects malformed keys (ERR_CONFIG_KEY_INVALID)', async () => {
      for (const key of ['', 'nodot', 'Upper.case', 'a..b', 'a.b;drop', 'a.b\n', '.a', 'a.']) {
        await expectCode(site.config.get(key), 'ERR_CONFIG_KEY_INVALID');
      }
    });

    it('settings.json overrides win and cannot be changed (ERR_CONFIG_OVERRIDDEN)', async () => {
      const c = new ConfigStore(site.db, { 'system.site_name': 'Fixed' }, '/x/settings.json');
      expect(await c.get('system.site_name')).to.equal('Fixed');
      await expectCode(c.set('system.site_name', 'Other'), 'ERR_CONFIG_OVERRIDDEN');
      expect((await c.list('system.')).find((r) => r.key === 'system.site_name')).to.deep.include({ value: 'Fixed', overridden: true });
    });

    it('caches values until cleared or expired, and purges expired entries', async () => {
      let now = 1_000_000;
      const cache = new CacheStore(site.db, () => now);
      await cache.set('alpha.forever', { a: 1 });
      await cache.set('alpha.short', 'soon gone', 1000);
      await cache.set('beta.other', true);
      expect(await cache.get('alpha.short')).to.equal('soon gone');
      now += 1001;
      expect(await cache.get('alpha.short')).to.equal(undefined);
      expect(await cache.purgeExpired()).to.equal(1);
      expect(await cache.get('alpha.forever')).to.deep.equal({ a: 1 });
      expect(await cache.clear('alpha.')).to.equal(1);
      expect(await cache.get('beta.other')).to.equal(true);
      await cache.clear();
      expect(await cache.get('beta.other')).to.equal(undefined);
    });

    it('gives a lock to one holder at a time and to the next after release or expiry', async () => {
      let now = 5_000_000;
      const locks = new LockStore(site.db, () => now);
      const a = await locks.acquire('alpha.job', 1000);
      await expectCode(locks.acquire('alpha.job', 1000), 'ERR_LOCK_HELD');
      await a.release();
      const b = await locks.acquire('alpha.job', 1000);
      now += 1500;
      const c = await locks.acquire('alpha.job', 1000);
      // b expired; its late release must not free c's lock.
      await b.release();
      await expectCode(locks.acquire('alpha.job', 1000), 'ERR_LOCK_HELD');
      await c.release();
    });

    it('two racing acquirers never both get the lock', async () => {
      const locks = new LockStore(site.db);
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => locks.acquire('alpha.race', 10_000)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).to.have.length(1);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    });
  });
}
