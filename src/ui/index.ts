/** What the dashboard command uses of the UI: the store, the engine that fills it, and the mount. */
export { type DashActions } from './App.js';
export { Engine, type EngineOptions, type TmuxPort } from './engine.js';
export { initialDashState, type DashState, type Notice, type NoticeTone } from './model.js';
export { mountDashboard } from './mount.js';
export { createStore, type DashStore } from './store.js';
export { colorEnabled } from './theme.js';
export { type FleetActions } from './fleet/FleetApp.js';
export { initialFleetState, type FleetRow, type FleetState } from './fleet/model.js';
export { mountFleet } from './mount.js';
export { type Store } from './store.js';
