// Child process: the mock OpenAI upstream both targets call, in its own process so its
// CPU never mixes with the load generator's or the targets'.
// Argument: JSON object of model -> MockBehavior. Sends { url } over IPC once listening.
import { startMockOpenAIUpstream, type MockBehavior } from '@switchyard/testing';

const behaviors = JSON.parse(process.argv[2] ?? '{}') as Record<string, MockBehavior>;
const upstream = await startMockOpenAIUpstream({ record: false });
for (const [model, behavior] of Object.entries(behaviors)) upstream.behave(model, behavior);

const stop = () => void upstream.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench died without stopping us: the IPC channel closes, so we leave too.
process.on('disconnect', stop);
process.send!({ url: upstream.url });
