/**
 * The commented config written where `--config` points when that file is missing
 * (bandersnatch does the same with its `example.conf`).
 */

/** A complete, valid bunsnatch config that documents every `[mirror]` option. */
export const EXAMPLE_CONFIG = `; bunsnatch configuration
; ========================
;
; bunsnatch reads bandersnatch 8's configuration format: an existing
; bandersnatch.conf works unchanged, with the same option names and defaults.
; The full reference, with what differs from bandersnatch, is
; docs/config-reference.md in the bunsnatch sources.
;
; Syntax: "name = value" (only "=" separates a name from its value), one
; option per line; indent further lines to continue a value. Comments are
; whole lines starting with ";" or "#": "workers = 3 ; three" is NOT a comment
; (bunsnatch ignores it with a warning; bandersnatch fails). Write "%%" for a
; literal "%"; "%(name)s" inserts another option of the same section or of
; [DEFAULT]. Option names are case-sensitive.

[mirror]
; The directory that holds the mirror: an absolute path. It needs a
; case-sensitive filesystem with room for very many files and directories.
directory = /srv/pypi

; The index to mirror. https:// only, unless allow-non-https = true.
master = https://pypi.org
; proxy = http://proxy.example.com:3128
; allow-non-https = false

; How bunsnatch learns what changed upstream (a bunsnatch option):
;   xmlrpc - PyPI's changelog: the freshest feed, and it carries removals.
;   simple - the PEP 691 project list: works against any PEP 691 index.
api-method = xmlrpc

; Save each project's JSON API document to web/json/<name> and
; web/pypi/<name>/json (needed by "verify").
json = false

; Download release files. With false, only index pages are written; they link
; to root_uri when set, else to the files' upstream URLs.
release-files = true

; Download PEP 658 core metadata files (<file>.metadata) when upstream has them.
core-metadata = true

; Make absolute links in index pages by prefixing this URL (no trailing slash
; needed; bunsnatch never writes "//packages").
; root_uri = https://example.com

; Which simple index pages to write: ALL, HTML or JSON.
simple-format = ALL

; Put project pages under web/simple/<first letter>/<name>/ (needs rewrite
; rules to serve; keep false for a plain static mirror).
hash-index = false

; How files already on disk are checked: hash (read and hash them) or stat
; (size and modification time).
compare-method = hash

; The hash named in index pages: sha256, md5, sha1, sha224, sha384, sha512 or
; blake2b_256.
digest_name = sha256

; Keep this many older versions of each project's index page (0 = none).
keep_index_versions = 0

; Remove pre-PEP 503 project directories left by very old mirrors.
cleanup = false

; Stop at the first project that fails instead of carrying on.
stop-on-error = false

; Seconds a connection may stay idle, and seconds one request may take in
; total (0 means 18000).
timeout = 10
global-timeout = 1800

; Projects processed at once (1 to 100), and concurrent verify workers.
workers = 3
verifiers = 3

; Files downloaded at once across all projects, connections to any one host,
; and tries per file (bunsnatch options).
download-concurrency = 16
host-concurrency = 8
download-attempts = 4

; Limit download bandwidth, in bytes per second with binary units (800K, 50M,
; 1.5G). Empty means no limit.
max-bandwidth =

; Try each file at this URL prefix first, then at its upstream URL (or only
; there with download-mirror-no-fallback = true).
; download-mirror = https://pypi-mirror.example.com
; download-mirror-no-fallback = false

; Hosts besides the master's own that release files may be downloaded from,
; separated by spaces or new lines.
; allowed-file-hosts = files.example.com

; fsync each file and directory before it becomes visible (a bunsnatch option).
fsync = true

; Apply projects and files removed upstream to the mirror, but stop deleting if
; a run would remove more than this share of the mirror's files (5%) or this
; many files (e.g. 1000). Bunsnatch options.
delete-removed = true
max-deletions = 5%

; Write the list of files created or changed by each run to this file;
; {{mirror_directory}} is replaced by the directory above.
; diff-file = {{mirror_directory}}/mirrored-files
; diff-append-epoch = false

; Where files are stored. Only filesystem is available; s3 comes later.
storage-backend = filesystem
storage-filesystem-manage-permissions = true

; bandersnatch's log-config is accepted but ignored: bunsnatch logs to stderr.
; log-config =

; Without a [plugins] section bunsnatch mirrors ALL of PyPI: tens of terabytes.
; To mirror a few projects instead, uncomment and edit:
; [plugins]
; enabled =
;     allowlist_project
;     allowlist_release
;
; [allowlist]
; packages =
;     requests
;     numpy>=2
`;
