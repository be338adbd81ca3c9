/**
 * How a finished job's reply and its records (ledger entries, answered record) leave. Through
 * Redis both go at once: the reply's PUBLISH and the records share one socket write, and the
 * subscriber hears the reply only after Redis ran that write. Handed to an api of this thread
 * (packages/queue/src/local-replies.ts), nothing would hold the reply back, so the records
 * go first and the reply follows once Redis has acknowledged them: a client never has an
 * answer whose ledger entries a crash could still lose.
 */
export async function sendReplyAndRecords(options: {
  local: boolean;
  reply: () => Promise<void> | undefined;
  records: () => Promise<void> | undefined;
}): Promise<void> {
  if (!options.local) {
    await Promise.all([options.reply(), options.records()]);
    return;
  }
  await options.records();
  await options.reply();
}
