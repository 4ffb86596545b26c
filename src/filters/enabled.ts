/**
 * `[plugins] enabled`: which plugins run.
 *
 * bandersnatch split the value on newlines only, so `enabled = a b` enabled a
 * plugin literally named "a b", i.e. nothing. We accept names separated by
 * newlines, spaces or commas, strip inline `#` comments, and warn about unknown
 * names (bandersnatch ignored them silently).
 */

import type { IniDocument } from "../config/types.ts";
import { listWords, optionLabel, readOption } from "./config.ts";
import { didYouMean } from "./did-you-mean.ts";
import { PLUGIN_NAMES, RETIRED_PLUGIN_NAMES } from "./registry.ts";

export interface EnabledPlugins {
  /** `all` was listed. */
  all: boolean;
  /** Known plugin names listed explicitly. */
  names: Set<string>;
  warnings: string[];
}

/** Reads `[plugins] enabled`; nothing is enabled when it is absent. */
export function readEnabledPlugins(ini: IniDocument): EnabledPlugins {
  const result: EnabledPlugins = { all: false, names: new Set(), warnings: [] };
  const words = listWords(readOption(ini, "plugins", "enabled"));
  for (const word of words) {
    if (word === "all") result.all = true;
    else if (PLUGIN_NAMES.includes(word)) result.names.add(word);
    else if (word === "wheel_tags") continue;
    else {
      const retired = RETIRED_PLUGIN_NAMES[word];
      const detail = retired ? `: ${retired}` : didYouMean(word, PLUGIN_NAMES);
      result.warnings.push(
        `${optionLabel(ini, "plugins", "enabled")}: unknown plugin ${JSON.stringify(word)}, ignored${detail}`,
      );
    }
  }
  return result;
}
