import { z } from 'zod';
import { ApiErrorSchema, ApiEventSchema } from './api';

/** Messages between Electron main and the utility process that runs the engine. */
export const WorkerRequestSchema = z.object({ kind: z.literal('call'), id: z.number().int(), method: z.string(), payload: z.unknown() });
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;

export const CallOutcomeSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ApiErrorSchema })]);
export type CallOutcomeMessage = z.infer<typeof CallOutcomeSchema>;

export const WorkerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reply'), id: z.number().int(), outcome: CallOutcomeSchema }),
  z.object({ kind: z.literal('event'), event: ApiEventSchema }),
  z.object({ kind: z.literal('ready') }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;

/** IPC channel names: one per API method, plus the event channel. The preload allows only these. */
export const ipcChannel = (method: string) => `distill:${method}`;
export const IPC_EVENT_CHANNEL = 'distill:event';
