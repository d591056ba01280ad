/**
 * The Model Context Protocol server on stdio (the official SDK, loaded only by `mcp`): registers
 * each tool with its input schema and turns what its `run` returns into a structured result with
 * a short text summary. Any error a tool throws becomes a tool error (`isError`), worded as the
 * CLI words it (`message — hint` for a `UserError`), so one bad call never ends the server.
 */

import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { UserError } from '../errors.js';

/** What a tool gives back: a line or two for clients that show text, and the data itself. */
export interface ToolAnswer {
  summary: string;
  data: Record<string, unknown>;
}

/** One tool: its name and description as clients list them, its input's schema, and its work. */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Shape;
  run: (args: z.infer<z.ZodObject<Shape>>) => Promise<ToolAnswer>;
}

/** Keeps each tool's argument types while the list holds tools of different shapes. */
export function tool<Shape extends z.ZodRawShape>(definition: ToolDefinition<Shape>): ToolDefinition {
  return definition as unknown as ToolDefinition;
}

export interface McpServerOptions {
  name: string;
  version: string;
  /** What a client shows the model about the server as a whole. */
  instructions: string;
  tools: readonly ToolDefinition[];
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

/** A running server: `closed` resolves when the client goes (its end of stdin closes). */
export interface RunningMcpServer {
  closed: Promise<void>;
  close: () => Promise<void>;
}

export async function startMcpServer(options: McpServerOptions): Promise<RunningMcpServer> {
  const server = new McpServer(
    { name: options.name, version: options.version },
    { instructions: options.instructions, capabilities: { tools: {} } },
  );
  for (const t of options.tools) {
    server.registerTool(t.name, { title: t.title, description: t.description, inputSchema: t.input }, (args: unknown) =>
      answer(() => t.run(args as never)),
    );
  }
  const stdin = options.stdin as Readable;
  const transport = new StdioServerTransport(stdin, options.stdout as Writable);
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  return { closed, close: () => server.close() };
}

async function answer(run: () => Promise<ToolAnswer>): Promise<CallToolResult> {
  try {
    const { summary, data } = await run();
    return { content: [{ type: 'text', text: summary }], structuredContent: data };
  } catch (err) {
    return { content: [{ type: 'text', text: errorLine(err) }], isError: true };
  }
}

/** The line `main` prints for the same error, without its `error: ` prefix. */
export function errorLine(err: unknown): string {
  if (err instanceof UserError) return `${err.message}${err.hint ? ` — ${err.hint}` : ''}`;
  const message = err instanceof Error ? err.message : String(err);
  return `unexpected failure: ${message} — report it with the arguments that caused it`;
}
