import { defineModule } from '../../core/modules/definition.js';
import { NunjucksRenderer } from './engine.js';

/** The nunjucks theme engine, the default of every theme (theme.json "engine"). */
export default defineModule({
  register(api) {
    api.on('theme.engines', (add) => add({
      name: 'nunjucks',
      create: ({ theme, themes, kernel }) => new NunjucksRenderer(theme, themes, kernel),
    }));
  },
});
