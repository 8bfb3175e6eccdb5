/** What the sandbox knows about one request once it has parsed it. */
export interface RequestRecord {
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  userAgent?: string;
  fieldManager?: string;
  dryRun: boolean;
  force?: boolean;
  watch: boolean;
  /** Resource details when the path names a resource. */
  group?: string;
  version?: string;
  resource?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The HTTP status answered, or `dropped` for a connection the faults cut. */
  status?: number | 'dropped';
}

/** The request log tests inspect; bounded, oldest entries fall out first. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  entries(): readonly RequestRecord[] {
    return [...this.records];
  }

  filter(predicate: (r: RequestRecord) => boolean): RequestRecord[] {
    return this.records.filter(predicate);
  }

  clear(): void {
    this.records.length = 0;
  }
}
