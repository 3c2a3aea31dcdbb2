import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { engineFor } from '../../../core/http/page.js';
import { Kernel } from '../../../core/kernel/kernel.js';
import type { LoadedModule } from '../../../core/modules/loader.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import { escapeHtml, Markup, template } from '../../../core/theme/renderable.js';
import { NunjucksRenderer } from '../../../modules/nunjucks/engine.js';
import type { Site } from '../../../core/site/site.js';
import { discoverThemes } from '../../../core/theme/themes.js';
import { installTestSite, makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { expectCode } from '../../harness/expect.js';

/** Write a file, creating its folders. */
function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A hand-made module whose folder is `dir` (templates under dir/templates). */
function mod(name: string, dir: string): LoadedModule {
  return { name, manifest: parseManifest({ name, description: `Test module ${name}.`, version: '1.0.0' }, join(dir, 'module.json')), dir, definition: {} };
}

/**
 * A codebase with core (linked), themes `sub` (base `mid`) and `mid`, and
 * modules `early` and `late` (in that hook order). Each layer has templates
 * that say which layer they come from.
 */
function layeredCodebase(): { root: string; engine: (theme?: string) => NunjucksRenderer; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'aegir-theme-'));
  symlinkSync(join(REPO, 'core'), join(root, 'core'));
  put(join(root, 'themes', 'mid', 'theme.json'), JSON.stringify({ name: 'mid', description: 'Base theme', stylesheets: ['mid.css'] }));
  put(join(root, 'themes', 'sub', 'theme.json'), JSON.stringify({ name: 'sub', description: 'Sub theme', base: 'mid', stylesheets: ['sub.css', 'more/extra.css'] }));
  const layers: Record<string, string> = {
    sub: join(root, 'themes', 'sub', 'templates'),
    mid: join(root, 'themes', 'mid', 'templates'),
    late: join(root, 'modules', 'late', 'templates'),
    early: join(root, 'modules', 'early', 'templates'),
  };
  const has: Record<string, readonly string[]> = {
    sub: ['a', 'early/widget'],
    mid: ['a', 'b'],
    late: ['a', 'b', 'c'],
    early: ['a', 'b', 'c', 'd', 'early/widget', 'error'],
  };
  for (const [layer, names] of Object.entries(has)) {
    for (const n of names) put(join(layers[layer]!, `${n}.njk`), `${layer}:${n}`);
  }
  put(join(layers.sub!, 'includes.njk'), 'sub includes [{% include "d.njk" %}] [{% include "c.njk" %}]');
  // The nunjucks module comes first, as in a real site: its fallback templates are the last layer ("core").
  const kernel = Kernel.create([mod('nunjucks', join(REPO, 'modules', 'nunjucks')), mod('early', join(root, 'modules', 'early')), mod('late', join(root, 'modules', 'late'))]);
  return {
    root,
    engine: (theme = 'sub') => {
      const themes = discoverThemes(root);
      return new NunjucksRenderer(themes.get(theme)!, themes, kernel);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

describe('theme engine', () => {
  let cb: ReturnType<typeof layeredCodebase>;
  beforeEach(() => {
    cb = layeredCodebase();
  });
  afterEach(() => cb.cleanup());

  describe('template lookup', () => {
    it('looks in the theme, then its base theme, then later modules, then earlier ones, then core', () => {
      const e = cb.engine();
      expect(e.render('a').html).to.equal('sub:a');
      expect(e.render('b').html).to.equal('mid:b');
      expect(e.render('c').html).to.equal('late:c');
      expect(e.render('d').html).to.equal('early:d');
    });

    it('a module overrides a template of core', () => {
      expect(cb.engine().render('error', { status: 404, message: 'x' }).html).to.equal('early:error');
    });

    it('falls back to core\'s template when nobody overrides it', () => {
      const html = cb.engine().render('messages', { messages: [{ type: 'status', text: 'From core' }] }).html;
      expect(html).to.include('From core');
      expect(html).to.include('messages--status');
    });

    it('a theme overrides a module\'s own template by the same relative name', () => {
      expect(cb.engine().render('early/widget').html).to.equal('sub:early/widget');
      expect(cb.engine('mid').render('early/widget').html).to.equal('early:early/widget');
    });

    it('the base theme alone does not see its sub-theme\'s templates', () => {
      const e = cb.engine('mid');
      expect(e.render('a').html).to.equal('mid:a');
      expect(e.render('c').html).to.equal('late:c');
    });

    it('includes are looked up the same way', () => {
      expect(cb.engine().render('includes').html).to.equal('sub includes [early:d] [late:c]');
    });

    it('renders a module template through template() and a list of renderables in order', () => {
      const e = cb.engine();
      expect(e.renderable(template('c')).html).to.equal('late:c');
      expect(e.renderable([template('d'), { text: '<&>' }, new Markup('<hr>')]).html).to.equal('early:d\n&lt;&amp;&gt;\n<hr>');
    });

    it('an unknown template is an error', () => {
      expect(() => cb.engine().render('no_such_template')).to.throw();
    });

    it('lists the stylesheets of the chain, base theme first', () => {
      expect(cb.engine().stylesheets).to.deep.equal(['/themes/mid/assets/mid.css', '/themes/sub/assets/sub.css', '/themes/sub/assets/more/extra.css']);
      expect(cb.engine('mid').stylesheets).to.deep.equal(['/themes/mid/assets/mid.css']);
    });

    it('refuses a theme whose base is not installed (ERR_THEME_UNKNOWN)', async () => {
      put(join(cb.root, 'themes', 'orphan', 'theme.json'), JSON.stringify({ name: 'orphan', description: 'x', base: 'missing' }));
      await expectCode(() => cb.engine('orphan'), 'ERR_THEME_UNKNOWN');
    });
  });

  describe('escaping', () => {
    const vars = (): NunjucksRenderer => {
      put(join(cb.root, 'themes', 'sub', 'templates', 'v.njk'), '[{{ v }}]{% for x in list %}({{ x }}){% endfor %}{% if obj %}<{{ obj.m }}>{% endif %}');
      return cb.engine();
    };

    it('xss: variables are escaped', () => {
      expect(vars().render('v', { v: '<script>alert("x")</script>' }).html).to.equal('[&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;]');
    });

    it('xss: {text} is escaped, quotes included', () => {
      expect(cb.engine().renderable({ text: `<img src=x onerror='a'>&"` }).html).to.equal('&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;');
      expect(escapeHtml(`<>&"'`)).to.equal('&lt;&gt;&amp;&quot;&#39;');
    });

    it('Markup passes unescaped, also inside lists and plain objects', () => {
      const html = vars().render('v', { v: new Markup('<b>bold</b>'), list: [new Markup('<i>1</i>'), '<i>2</i>'], obj: { m: new Markup('<u>u</u>') } }).html;
      expect(html).to.equal('[<b>bold</b>](<i>1</i>)(&lt;i&gt;2&lt;/i&gt;)<<u>u</u>>');
    });

    it('xss: an object that only looks like Markup is not trusted', () => {
      const html = vars().render('v', { v: { html: '<b>fake</b>' }, obj: { m: { html: '<b>fake</b>', toString: () => '<b>fake</b>' } } }).html;
      expect(html).to.not.include('<b>fake</b>');
    });

    it('markup from a rendered template can be handed to another template', () => {
      const e = vars();
      const inner = e.render('a');
      expect(e.render('v', { v: inner }).html).to.equal('[sub:a]');
      const escapedInner = e.render('v', { v: '<x>' });
      expect(e.render('v', { v: escapedInner }).html, 'not escaped twice').to.equal('[[&lt;x&gt;]]');
    });
  });
});

describe('the theme engine of a site', () => {
  let tc: TestCodebase;
  let site: Site;
  before(async () => {
    tc = makeCodebase();
    // The repository's themes, plus one that asks for an engine no module provides.
    unlinkSync(join(tc.root, 'themes'));
    mkdirSync(join(tc.root, 'themes'));
    for (const t of readdirSync(join(REPO, 'themes'))) symlinkSync(join(REPO, 'themes', t), join(tc.root, 'themes', t));
    put(join(tc.root, 'themes', 'twiggy', 'theme.json'), JSON.stringify({ name: 'twiggy', description: 'Needs twig.', engine: 'twig' }));
    site = await installTestSite(tc, 'sqlite');
  });
  after(async () => {
    await site.close();
    tc.cleanup();
  });

  it('refuses a default theme whose engine no enabled module provides (ERR_THEME_ENGINE_UNKNOWN); the admin theme still renders', async () => {
    await site.config.set('system.theme_default', 'twiggy');
    const e = await expectCode(engineFor(site, undefined, '/'), 'ERR_THEME_ENGINE_UNKNOWN');
    expect(e.facts).to.deep.include({ theme: 'twiggy', engine: 'twig' });
    expect((await engineFor(site, undefined, '/admin')).stylesheets).to.not.deep.equal([]);
  });
});
