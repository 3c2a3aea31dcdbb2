import { defineModule } from '../../core/modules/definition.js';

/** The nunjucks theme engine, the default of every theme (theme.json "engine"). */
export default defineModule({
  register(api) {
    api.on('theme.engines', (add) => add({
      name: 'nunjucks',
      // The nunjucks library loads when a page is first rendered, not with every command line.
      create: async ({ theme, themes, kernel }) => new (await import('./engine.js')).NunjucksRenderer(theme, themes, kernel),
    }));
  },
});
