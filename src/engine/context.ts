/**
 * Builds everything a run needs from the loaded config: storage, ledger, HTTP
 * client, upstream source and change feed, filters, downloader, page writer.
 */

import * as path from "node:path";
import type { LoadedConfig } from "../config/types.ts";
import { loadFilters } from "../filters/index.ts";
import { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import { bandwidthLimiter } from "../pipeline/bandwidth.ts";
import { DEFAULT_RETRY, Downloader } from "../pipeline/downloader.ts";
import { Ledger } from "../state/ledger.ts";
import { FilesystemStorage } from "../storage/filesystem.ts";
import { streamSyncPlan } from "../upstream/change-feed.ts";
import { HttpClient } from "../upstream/http.ts";
import { fetchJsonApi, jsonApiFileContent } from "../upstream/json-api.ts";
import { fetchProjectPage } from "../upstream/project-page.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from "../upstream/retry.ts";
import { checkFileUrl, fileRedirectRule, type UrlRules, urlRulesFromOptions } from "../upstream/url-rules.ts";
import type { ChangeFeed, UpstreamSource } from "./ports.ts";
import type { MirrorContext } from "./run.ts";

/** Ledger key present while a command works on the mirror (its PID); left behind by a killed run. */
const RUN_OPEN_KEY = "run_open";

export interface OpenedMirrorContext extends MirrorContext {
  http: HttpClient;
  rules: UrlRules;
  close(): void;
}

/**
 * `BUNSNATCH_BACKOFF_SCALE` multiplies every retry and stale-serial wait (default 1).
 * Tests and the chaos script set it low so that faults cost milliseconds, not seconds.
 */
export function backoffScale(): number {
  const value = Number(process.env.BUNSNATCH_BACKOFF_SCALE ?? "1");
  return Number.isFinite(value) && value >= 0 ? value : 1;
}

export async function openMirrorContext(
  loaded: LoadedConfig,
  ui: { quiet: boolean },
): Promise<OpenedMirrorContext> {
  const options = loaded.mirror;
  const scale = backoffScale();
  const storage = new FilesystemStorage(options.directory, { fsync: options.fsync });
  const ledger = Ledger.open(options.directory);
  // A run that did not reach close() (killed, crashed) may have left temporary files.
  storage.setLeftoversPossible(ledger.getMeta(RUN_OPEN_KEY) !== undefined);
  ledger.setMeta(RUN_OPEN_KEY, String(process.pid));
  const http = new HttpClient({
    timeoutSeconds: options.timeout,
    globalTimeoutSeconds: options.globalTimeout,
    proxy: options.proxy,
  });
  const rules = urlRulesFromOptions(options);
  const { filters, warnings } = loadFilters(loaded.ini, { requirementsBaseDir: path.dirname(loaded.path) });
  for (const warning of warnings) log.warning(warning);
  if (filters.active.length > 0) log.info(`Filters active: ${filters.active.join(", ")}`);

  const metadataRetry: RetryPolicy = scaled(DEFAULT_RETRY_POLICY, scale);
  const retryHooks = {
    onRetry: ({ delayMs, error }: { delayMs: number; error: unknown }) =>
      log.warning(
        `${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)} s`,
      ),
  };
  const source: UpstreamSource = {
    async fetchPage(name, displayName) {
      const result = await withRetry(
        () => fetchProjectPage(http, rules, { normalizedName: name, displayName }),
        metadataRetry,
        retryHooks,
      );
      return result.kind === "gone" ? "gone" : result.page;
    },
    async fetchJsonApi(name) {
      const result = await withRetry(
        () => fetchJsonApi(http, rules, { normalizedName: name }),
        metadataRetry,
        retryHooks,
      );
      if (result.kind === "gone") return "gone";
      return {
        document: result.document,
        serial: result.serial,
        saved: jsonApiFileContent(result.text, result.url),
      };
    },
  };
  const feed: ChangeFeed = {
    changesSince(serial, held, sink) {
      return streamSyncPlan(
        options,
        http,
        {
          currentSerial: serial,
          heldSerial: (name) => held.serialOf(name),
          heldNames: held.names(),
          heldEntries: () => held.entries(),
          retry: metadataRetry,
          retryHooks,
        },
        sink,
      );
    },
  };
  const downloader = new Downloader(
    {
      storage,
      http,
      checkUrl: (url) => void checkFileUrl(url, rules),
      checkRedirect: fileRedirectRule(rules),
      bandwidth: bandwidthLimiter(options.maxBandwidth),
    },
    { concurrency: options.downloadConcurrency, hostConcurrency: options.hostConcurrency },
    { ...scaled(DEFAULT_RETRY, scale), attempts: options.downloadAttempts },
  );
  const indexWriter = new IndexWriter(storage, {
    simpleFormat: options.simpleFormat,
    hashIndex: options.hashIndex,
    keepIndexVersions: options.keepIndexVersions,
    page: {
      digestName: options.digestName,
      coreMetadata: options.coreMetadata,
      rootUri: options.rootUri,
      releaseFiles: options.releaseFiles,
    },
  });
  return {
    options,
    storage,
    ledger,
    source,
    feed,
    filters,
    downloader,
    indexWriter,
    staleRetry: { attempts: 3, baseMs: 1000 * scale },
    progress: !ui.quiet,
    http,
    rules,
    close() {
      try {
        ledger.deleteMeta(RUN_OPEN_KEY);
      } catch {
        // A full or read-only disk (already reported): the next run just sweeps for leftovers.
      }
      ledger.close();
    },
  };
}

function scaled<T extends RetryPolicy>(policy: T, scale: number): T {
  return { ...policy, baseSeconds: policy.baseSeconds * scale, capSeconds: policy.capSeconds * scale };
}
