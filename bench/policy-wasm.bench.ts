export { bench } from '../test/policy-wasm/wasm-engine.bench';
