// Replies to an api in this very thread (`switchyard all` runs its workers beside the api on
// 2 cores). A message for such an api is handed to its reply bus in process instead of
// going through Redis pub/sub, which would cost a PUBLISH, Redis' fan-out, the subscriber
// connection's read and its protocol parsing for every result and every token batch. It is
// handed over only once Redis has acknowledged what the message depends on (a batch's
// append to the token stream, a result's ledger entries and answered record), so a client
// never sees a part or an answer that a crash could lose from Redis. The text is the one
// that would have been published, parsed by the bus as if it had come from Redis: the api
// never shares an object with the worker. Only a bus created with `localReplies` listens
// here (see createReplyBus), so the other commands and the tests keep the Redis path.

type Receiver = (text: string) => void;

const receivers = new Map<string, Receiver>();

/** Listens for messages of `channel` handed over in this thread; returns the stop function. */
export function listenLocally(channel: string, receive: Receiver): () => void {
  receivers.set(channel, receive);
  return () => {
    if (receivers.get(channel) === receive) receivers.delete(channel);
  };
}

/** The receiver of `channel` in this thread, when its api listens here. */
export function localReceiver(channel: string | undefined): Receiver | undefined {
  return channel === undefined ? undefined : receivers.get(channel);
}

/** Whether a reply to `channel` would be handed over in this thread rather than published. */
export function repliesLocally(channel: string | undefined): boolean {
  return localReceiver(channel) !== undefined;
}
