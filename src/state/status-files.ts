/**
 * bandersnatch's state files, in its exact formats (reference §3.8), so a
 * mirror can move between bandersnatch and bunsnatch in either direction.
 */

import type { Storage } from "../storage/storage.ts";

export const GENERATION = 5;
const STATUS = "status";
const GENERATION_FILE = "generation";
const TODO = "todo";
const LAST_MODIFIED = "web/last-modified";

/** The last fully synced serial (0 when there is no status file or it is unreadable). */
export async function readStatusSerial(storage: Storage): Promise<number> {
  const text = await storage.readText(STATUS);
  if (text === null) return 0;
  const serial = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(serial) && serial >= 0 ? serial : 0;
}

/** `status`: the decimal serial, ASCII, no newline (left alone when it already says so, as bandersnatch does). */
export async function writeStatusSerial(storage: Storage, serial: number): Promise<void> {
  if ((await storage.readText(STATUS)) === String(serial)) return;
  await storage.writeAtomic(STATUS, String(serial));
}

export type GenerationCheck = "current" | "reset";

/**
 * bandersnatch's generation rule: a missing or old (2–4) generation means "reset"
 * (forget status and todo, full sync); 5 is current; anything else is unknown.
 */
export async function checkGeneration(storage: Storage): Promise<GenerationCheck | { unknown: string }> {
  const text = await storage.readText(GENERATION_FILE);
  if (text === null) return "reset";
  const value = text.trim();
  if (value === String(GENERATION)) return "current";
  if (!/^\d+$/.test(value) || ["2", "3", "4"].includes(value)) return "reset";
  return { unknown: value };
}

export async function writeGeneration(storage: Storage): Promise<void> {
  const current = await storage.readText(GENERATION_FILE);
  if (current !== String(GENERATION)) await storage.writeAtomic(GENERATION_FILE, String(GENERATION));
}

export interface TodoList<Projects extends Iterable<TodoEntry> = TodoEntry[]> {
  targetSerial: number;
  /** Raw (display) name and serial, as bandersnatch writes them. */
  projects: Projects;
}

export interface TodoEntry {
  name: string;
  serial: number;
}

/** `todo`: target serial, then `"{raw_name} {serial}"` lines, joined with "\n", no trailing newline. */
export function formatTodo(todo: TodoList<Iterable<TodoEntry>>): string {
  return [...todoChunks(todo)].join("");
}

/** The todo file in chunks of a few thousand lines (a first run's plan has 800,000). */
function* todoChunks(todo: TodoList<Iterable<TodoEntry>>): Generator<string> {
  let lines: string[] = [String(todo.targetSerial)];
  for (const project of todo.projects) {
    lines.push(`${project.name} ${project.serial}`);
    if (lines.length >= 4096) {
      yield lines.join("\n");
      // The next chunk starts with the "\n" that separates it from this one.
      lines = [""];
    }
  }
  if (lines.length > 1 || lines[0] !== "") yield lines.join("\n");
}

/** Parses a todo file; undefined when it is inconsistent (bandersnatch then deletes it). */
export function parseTodo(text: string): TodoList | undefined {
  const lines = text.split("\n");
  const first = lines.shift()?.trim() ?? "";
  if (!/^\d+$/.test(first)) return undefined;
  const projects: { name: string; serial: number }[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const match = /^(\S+) (\d+)$/.exec(line.trim());
    if (!match) return undefined;
    projects.push({ name: match[1]!, serial: Number(match[2]) });
  }
  return { targetSerial: Number(first), projects };
}

export async function readTodo(storage: Storage): Promise<TodoList | undefined | "inconsistent"> {
  const text = await storage.readText(TODO);
  if (text === null) return undefined;
  return parseTodo(text) ?? "inconsistent";
}

/** Writes `todo` atomically, streaming it (temp name + rename). */
export async function writeTodo(storage: Storage, todo: TodoList<Iterable<TodoEntry>>): Promise<void> {
  const staged = await storage.stage(TODO);
  const encoder = new TextEncoder();
  try {
    for (const chunk of todoChunks(todo)) await staged.write(encoder.encode(chunk));
    await staged.commit();
  } catch (error) {
    await staged.abort();
    throw error;
  }
}

export async function deleteTodo(storage: Storage): Promise<void> {
  await storage.deleteFile(TODO);
}

/** `web/last-modified`: `%Y%m%dT%H:%M:%S\n` of the run's start, UTC. */
export function formatLastModified(start: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return (
    `${start.getUTCFullYear()}${pad(start.getUTCMonth() + 1)}${pad(start.getUTCDate())}T` +
    `${pad(start.getUTCHours())}:${pad(start.getUTCMinutes())}:${pad(start.getUTCSeconds())}\n`
  );
}

export async function writeLastModified(storage: Storage, start: Date): Promise<void> {
  await storage.writeAtomic(LAST_MODIFIED, formatLastModified(start));
}
