import packageJson from "../package.json" with { type: "json" };

/** bunsnatch's version, from package.json (embedded in the compiled binary). */
export const VERSION: string = packageJson.version;
