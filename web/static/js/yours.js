// The experiment page's own variant panel (yours_panel.js).
import { bindYours } from './yours_panel.js';

bindYours(document);
