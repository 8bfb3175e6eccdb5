/**
 * Depth past which values are refused rather than walked (protects the JS stack). A module of its
 * own because value.ts and value-set.ts import each other: a constant read by value-set.ts at load
 * time must not come from value.ts, which may not have run yet.
 */
export const MAX_DEPTH = 2000;
