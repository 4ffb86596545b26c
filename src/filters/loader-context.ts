/**
 * What a plugin definition gets while the filter set is built: the INI document,
 * a place for warnings, and the package lists several plugins share (read once).
 */

import type { IniDocument } from "../config/types.ts";
import { configError, listLines, readOption } from "./config.ts";
import { parseRequirement, type Requirement, RequirementSyntaxError } from "./requirements.ts";
import { loadRequirementFiles, type RequirementFiles } from "./requirements-files.ts";
import type { FilterPlugin, FilterStage } from "./types.ts";

export interface LoaderContext {
  ini: IniDocument;
  /** Non-fatal findings, one line each. */
  warnings: string[];
  /** Directory a relative `requirements_path` is resolved against. */
  requirementsBaseDir: string;
  /** Requirements of `[<section>] packages`, inline comments stripped; ConfigError on a bad line. */
  packageRequirements(section: "allowlist" | "blocklist"): Requirement[];
  /** The `[allowlist] requirements` files, read once. */
  requirementFiles(): RequirementFiles;
}

/** Projects listed in `[allowlist] packages`, by normalized name: the size and version-count filters exempt them. */
export function allowlistedProjects(loader: LoaderContext): Set<string> {
  return new Set(loader.packageRequirements("allowlist").map((requirement) => requirement.normalizedName));
}

/** One filter plugin, as the registry knows it. */
export interface PluginDefinition {
  /** The `[plugins] enabled` name. */
  name: string;
  stage: FilterStage;
  /** For `enabled = all`: whether the plugin's own configuration is present. */
  isConfigured(ini: IniDocument): boolean;
  /** Builds the plugin, or null (with a warning) when its configuration leaves it nothing to do. */
  create(loader: LoaderContext): FilterPlugin | null;
}

/** Builds the loader context; package lists and requirements files are read lazily, once. */
export function createLoaderContext(ini: IniDocument, requirementsBaseDir: string): LoaderContext {
  const warnings: string[] = [];
  const packageLists = new Map<string, Requirement[]>();
  let files: RequirementFiles | null = null;
  return {
    ini,
    warnings,
    requirementsBaseDir,
    packageRequirements(section) {
      let list = packageLists.get(section);
      if (!list) {
        list = parsePackageList(ini, section);
        packageLists.set(section, list);
      }
      return list;
    },
    requirementFiles() {
      if (!files) {
        files = loadRequirementFiles(ini, requirementsBaseDir);
        warnings.push(...files.warnings);
      }
      return files;
    },
  };
}

function parsePackageList(ini: IniDocument, section: "allowlist" | "blocklist"): Requirement[] {
  return listLines(readOption(ini, section, "packages")).map((line) => {
    try {
      return parseRequirement(line);
    } catch (error) {
      if (error instanceof RequirementSyntaxError) {
        throw configError(ini, section, "packages", error.message);
      }
      throw error;
    }
  });
}
