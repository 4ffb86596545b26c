/**
 * Request accounting: every request either host received (control requests under
 * `/_test/` excepted), so tests can assert how many calls a run made.
 */

/** Which server received a request. */
export type HostKind = "index" | "files";

/** One request as recorded. */
export interface RequestRecord {
  host: HostKind;
  method: string;
  /** Path and query string, as received. */
  path: string;
  /** XML-RPC method name, for XML-RPC calls. */
  rpcMethod: string | null;
  /** Status answered (0 until known; a reset stream keeps the status of its headers). */
  status: number;
  /** The fault injected, if any. */
  fault: string | null;
}

/** What to count; every given field must match. */
export interface RequestFilter {
  host?: HostKind;
  method?: string;
  /** Path prefix, e.g. `/simple/`, `/packages/`, `/pypi/foo/json`. */
  prefix?: string;
  rpcMethod?: string;
  status?: number;
}

/** Counts of the recorded requests, as `GET /_test/requests` returns them. */
export interface RequestSummary {
  total: number;
  byHost: Record<string, number>;
  byMethod: Record<string, number>;
  byRpcMethod: Record<string, number>;
  /** By first path segment: `/simple/`, `/pypi/`, `/packages/`, `/integrity/`, `/RPC2`, ... */
  byPrefix: Record<string, number>;
  byStatus: Record<string, number>;
  byFault: Record<string, number>;
}

function matches(record: RequestRecord, filter: RequestFilter): boolean {
  return (
    (filter.host === undefined || record.host === filter.host) &&
    (filter.method === undefined || record.method === filter.method.toUpperCase()) &&
    (filter.prefix === undefined || record.path.startsWith(filter.prefix)) &&
    (filter.rpcMethod === undefined || record.rpcMethod === filter.rpcMethod) &&
    (filter.status === undefined || record.status === filter.status)
  );
}

function firstSegment(path: string): string {
  const match = /^\/[^/?]*\/?/.exec(path);
  return match ? match[0] : path;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The request log of a test upstream. */
export class RequestLog {
  readonly records: RequestRecord[] = [];

  /** Record a request; the returned record is updated as the request proceeds. */
  add(host: HostKind, method: string, path: string): RequestRecord {
    const record: RequestRecord = { host, method, path, rpcMethod: null, status: 0, fault: null };
    this.records.push(record);
    return record;
  }

  /** Number of requests matching the filter (all requests without one). */
  count(filter: RequestFilter = {}): number {
    let total = 0;
    for (const record of this.records) if (matches(record, filter)) total += 1;
    return total;
  }

  /** Number of requests whose path starts with `prefix`. */
  countByPrefix(prefix: string, host?: HostKind): number {
    return this.count({ prefix, host });
  }

  /** Number of requests with this HTTP method. */
  countByMethod(method: string, host?: HostKind): number {
    return this.count({ method, host });
  }

  /** Number of XML-RPC calls of this method. */
  countRpc(rpcMethod: string): number {
    return this.count({ rpcMethod });
  }

  /** Paths of the matching requests, in arrival order. */
  paths(filter: RequestFilter = {}): string[] {
    return this.records.filter((record) => matches(record, filter)).map((record) => record.path);
  }

  /** Forget every recorded request. */
  reset(): void {
    this.records.length = 0;
  }

  /** Counts by host, method, XML-RPC method, first path segment, status and fault. */
  summary(filter: RequestFilter = {}): RequestSummary {
    const summary: RequestSummary = {
      total: 0,
      byHost: {},
      byMethod: {},
      byRpcMethod: {},
      byPrefix: {},
      byStatus: {},
      byFault: {},
    };
    for (const record of this.records) {
      if (!matches(record, filter)) continue;
      summary.total += 1;
      bump(summary.byHost, record.host);
      bump(summary.byMethod, record.method);
      if (record.rpcMethod) bump(summary.byRpcMethod, record.rpcMethod);
      bump(summary.byPrefix, firstSegment(record.path));
      bump(summary.byStatus, String(record.status));
      if (record.fault) bump(summary.byFault, record.fault);
    }
    return summary;
  }
}
