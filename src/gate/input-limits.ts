import { GateException } from './gate.exception';

/**
 * Bounds on what one commit's policy input may hold. Everything in a Git repository is hostile:
 * going over a bound makes the commit a `policy-error` naming the bound, never a crash or a hang.
 * Per-document bounds (4 MiB per file, nesting 64 levels, 100 YAML alias expansions per document)
 * are the manifest parser's, shared with the reconciler so the policies judge exactly what would
 * be applied (src/reconciler/render/manifest-parser.ts).
 */
export interface InputLimits {
  /** Entries (files, folders, links) under the manifest path. */
  maxFiles: number;
  /** Bytes of one manifest file (larger blobs are never read). */
  maxFileBytes: number;
  /** Kubernetes objects across all manifest files of one commit. */
  maxDocuments: number;
  /** Bytes of all manifest files of one commit together. */
  maxTotalBytes: number;
  /** Size of the parsed objects as JSON (YAML aliases expanded), across all files of one commit. */
  maxObjectBytes: number;
  /** Folder nesting under the manifest path. */
  maxTreeDepth: number;
  /** Bytes of manifest files read in one run over a range (each distinct file counted once). */
  maxRangeBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxFiles: 20_000,
  maxFileBytes: 4 * 1024 * 1024,
  maxDocuments: 10_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxObjectBytes: 128 * 1024 * 1024,
  maxTreeDepth: 64,
  maxRangeBytes: 512 * 1024 * 1024,
};

export function resolveLimits(given: Partial<InputLimits> | undefined): InputLimits {
  const limits = { ...DEFAULT_INPUT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new GateException('gate.invalid-request', `input limit ${name} must be a whole number ≥ 0`);
  }
  limits.maxFileBytes = Math.min(limits.maxFileBytes, DEFAULT_INPUT_LIMITS.maxFileBytes);
  return limits;
}

/**
 * The size of a value written as JSON (close to it: strings counted in UTF-16 units), walking
 * shared objects (YAML aliases) as often as they appear. Stops early: returns a number larger
 * than `budget` as soon as the budget is exceeded, so a hostile value costs at most `budget` work.
 */
export function jsonSize(value: unknown, budget: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length + 2;
    else if (v === null || typeof v !== 'object') size += 8;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else {
      const record = v as Record<string, unknown>;
      size += 2;
      for (const key of Object.keys(record)) {
        size += key.length + 4;
        stack.push(record[key]);
      }
    }
    if (size > budget) return size;
  }
  return size;
}
