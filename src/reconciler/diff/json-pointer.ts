/** RFC 6901 JSON pointers: `/spec/template/spec/containers/0/image`, `~1` for `/`, `~0` for `~`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new RangeError(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      if (/~[^01]|~$/.test(s)) throw new RangeError(`JSON pointer ${JSON.stringify(pointer)} has an invalid escape`);
      return s.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

export function formatPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Whether `path` is `prefix` or lies under it. */
export function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}
