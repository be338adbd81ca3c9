import { newId } from '@switchyard/core';
import type { BatchShell } from './types.ts';

/** `batch_...` for the OpenAI shell, `msgbatch_...` for the Anthropic one (as each provider spells them). */
export const newBatchId = (shell: BatchShell): string => newId(shell === 'anthropic' ? 'msgbatch' : 'batch', 24);
