// The gateway without a socket: a `fetch` that answers the requests an OpenAI or Anthropic SDK client sends to the
// gateway's URL in this process, through the same shared backend and wire formats as the HTTP gateway, and passes
// every other request to the real `fetch`. `nexus run` on a LangGraph.js program installs it, so the program's own
// chat models are batched with no HTTP hop, their calls are attributed to the item that made them, and a request held
// into a provider batch is not cut short by the client's timeout or by the HTTP client's header timeout.
import type { ChatUsage } from "../runtime/chat.js";
import type { SharedBackend } from "../dropins/shared-backend.js";
import type { ApiFlavor } from "./api-flavors.js";
import { BadRequest, GatewayError } from "./gateway-errors.js";
import { answerId, backendFailure, ROUTES } from "./start-gateway.js";

/** Hears each call: `begin` when it is sent; the function it returns when it ends (with the usage, if answered). */
export interface CallObserver {
  begin(): (usage?: ChatUsage) => void;
}

export interface InProcessOptions {
  /** The gateway's URL (`http://127.0.0.1:PORT`): requests under it are answered here. */
  url: string;
  shared: SharedBackend;
  /**
   * The client's abort signal is not passed on: on a provider Batch API a request waits for its batch, which takes
   * longer than SDK timeouts (the run's own stop still aborts it through the accumulator's close).
   */
  ignoreClientSignal: boolean;
  observer?: CallObserver;
  /**
   * Where a request under `url` that is not a chat call goes instead (an embeddings or files call of the same SDK
   * client): the request for the service the client would have reached without Nexus. Default: the gateway itself.
   */
  elsewhere?: (request: Request, path: string) => Request;
}

const encoder = new TextEncoder();

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function failure(flavor: ApiFlavor, error: GatewayError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
  return json(error.status, flavor.errorBody(error.status, error.type, error.message), headers);
}

async function answer(options: InProcessOptions, flavor: ApiFlavor, request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return failure(flavor, new BadRequest("the request body is not JSON"));
  }
  let chat;
  try {
    chat = flavor.request(body);
  } catch (error) {
    return failure(flavor, backendFailure(error));
  }
  const id = answerId(flavor);
  const signal = options.ignoreClientSignal ? undefined : request.signal;
  const end = options.observer?.begin();
  if (!flavor.stream(body)) {
    try {
      const call = await options.shared.complete(chat, { signal });
      end?.(call.result.usage);
      const headers: Record<string, string> = { "x-nexus-request-id": call.requestId };
      if (call.batchId) headers["x-nexus-batch-id"] = call.batchId;
      return json(200, flavor.answer(id, chat.model, call.result), headers);
    } catch (error) {
      end?.();
      return failure(flavor, backendFailure(error));
    }
  }
  return streamed(options, flavor, body, chat, id, signal, end);
}

/** A streamed answer: the response opens with the first text delta (or with the whole answer, or its error). */
function streamed(
  options: InProcessOptions,
  flavor: ApiFlavor,
  body: unknown,
  chat: ReturnType<ApiFlavor["request"]>,
  id: string,
  signal: AbortSignal | undefined,
  end: ((usage?: ChatUsage) => void) | undefined,
): Promise<Response> {
  const writer = flavor.streamWriter(id, chat.model, body);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const write = (events: [string, string][]) => {
    for (const [event, data] of events)
      controller.enqueue(encoder.encode(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`));
  };
  const headers = { "content-type": "text/event-stream" };
  return new Promise<Response>((resolve) => {
    let opened = false;
    const open = () => {
      if (opened) return;
      opened = true;
      resolve(new Response(stream, { status: 200, headers }));
    };
    options.shared
      .complete(chat, {
        signal,
        onDelta: (text) => {
          if (!opened) write(writer.start());
          open();
          write(writer.text(text));
        },
      })
      .then(
        (call) => {
          end?.(call.result.usage);
          write(writer.end(call.result, opened));
          controller.close();
          open();
        },
        (error: unknown) => {
          end?.();
          if (opened) return controller.error(error);
          resolve(failure(flavor, backendFailure(error)));
        },
      );
  });
}

/** `fetch`, with requests under `options.url` answered in this process. */
export function inProcessFetch(original: typeof fetch, options: InProcessOptions): typeof fetch {
  const base = options.url.replace(/\/+$/, "");
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(base + "/")) return original(input, init);
    const path = new URL(url).pathname;
    const flavor = ROUTES[path];
    const request = new Request(input, init);
    if (flavor && request.method === "POST") return answer(options, flavor, request);
    return options.elsewhere ? original(options.elsewhere(request, path)) : original(input, init);
  };
}
