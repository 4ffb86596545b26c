/**
 * Filters: bandersnatch 8's filter plugins (same `[plugins] enabled` names, same
 * sections and keys) without their footguns, plus `[wheel_tags]` selection.
 * `docs/filters.md` describes every plugin and where we differ from bandersnatch.
 */

import type { IniDocument } from "../config/types.ts";
import { optionLabel } from "./config.ts";
import { closestMatch, didYouMean } from "./did-you-mean.ts";
import { readEnabledPlugins } from "./enabled.ts";
import { createFilterSet } from "./filter-chain.ts";
import { createLoaderContext, type LoaderContext } from "./loader-context.ts";
import { wheelTags } from "./plugins/wheel-tags.ts";
import { FILTER_SECTION_OPTIONS, OTHER_KNOWN_SECTIONS, PLUGIN_DEFINITIONS } from "./registry.ts";
import type { FilterPlugin, FilterSet } from "./types.ts";

export type { FilterSet } from "./types.ts";

export interface LoadFiltersOptions {
  /** Directory a relative (or absent) `[allowlist] requirements_path` is taken from; default: the working directory, as bandersnatch. */
  requirementsBaseDir?: string;
}

/**
 * Builds the filter set from the config. Plugins run when named in
 * `[plugins] enabled`; `enabled = all` runs only the plugins whose configuration
 * is present (bandersnatch ran every plugin, which emptied every page not also
 * listed in the allowlist and the requirements files). `[wheel_tags]` runs
 * whenever the section exists.
 *
 * Throws `ConfigError` (one line naming file, section, option and value) for a bad
 * value, an invalid requirement, an unreadable requirements file or a bad regex.
 *
 * @example
 * const { filters, warnings } = loadFilters(config.ini);
 * if (filters.allowsProject("Django")) ...
 */
export function loadFilters(
  ini: IniDocument,
  options: LoadFiltersOptions = {},
): { filters: FilterSet; warnings: string[] } {
  const enabled = readEnabledPlugins(ini);
  const loader = createLoaderContext(ini, options.requirementsBaseDir ?? process.cwd());
  loader.warnings.push(...enabled.warnings);
  warnAboutSections(loader);

  const plugins: FilterPlugin[] = [];
  for (const definition of PLUGIN_DEFINITIONS) {
    const wanted = enabled.names.has(definition.name) || (enabled.all && definition.isConfigured(ini));
    if (!wanted) continue;
    const plugin = definition.create(loader);
    if (plugin) plugins.push(plugin);
  }
  const wheelTagPlugin = wheelTags.create(loader);
  if (wheelTagPlugin) insertBeforeReleaseStage(plugins, wheelTagPlugin);

  warnAboutEmptyPages(loader, plugins);
  return { filters: createFilterSet(plugins), warnings: loader.warnings };
}

function insertBeforeReleaseStage(plugins: FilterPlugin[], plugin: FilterPlugin): void {
  const at = plugins.findIndex((existing) => existing.stage === "release");
  if (at < 0) plugins.push(plugin);
  else plugins.splice(at, 0, plugin);
}

/** A release allowlist without its project counterpart leaves unlisted projects with empty pages. */
function warnAboutEmptyPages(loader: LoaderContext, plugins: readonly FilterPlugin[]): void {
  const active = new Set(plugins.map((plugin) => plugin.name));
  const projectGate = active.has("allowlist_project") || active.has("project_requirements");
  for (const releaseList of ["allowlist_release", "project_requirements_pinned"]) {
    if (active.has(releaseList) && !projectGate) {
      loader.warnings.push(
        `${loader.ini.fileName}: ${releaseList} is enabled without allowlist_project or project_requirements: projects not listed keep no release and get empty pages`,
      );
    }
  }
}

/** Unknown options in filter sections, and sections that look like misspelled filter sections. */
function warnAboutSections(loader: LoaderContext): void {
  const { ini, warnings } = loader;
  const filterSections = Object.keys(FILTER_SECTION_OPTIONS);
  for (const section of ini.sectionNames()) {
    const known = FILTER_SECTION_OPTIONS[section];
    if (known === undefined) {
      if (OTHER_KNOWN_SECTIONS.includes(section)) continue;
      const match = closestMatch(section, filterSections);
      if (match)
        warnings.push(`${ini.fileName}: unknown section [${section}], ignored (did you mean [${match}]?)`);
      continue;
    }
    if (known === null) continue;
    for (const option of ini.ownOptionNames(section)) {
      if (!known.includes(option)) {
        warnings.push(
          `${optionLabel(ini, section, option)}: unknown option, ignored${didYouMean(option, known)}`,
        );
      }
    }
  }
}
