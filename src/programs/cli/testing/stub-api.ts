import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the stub received. */
export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** What the stub answers: a status and a JSON body (or text, with a content type). */
export interface StubAnswer {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

export interface StubApi {
  readonly url: string;
  readonly requests: StubRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records requests and answers them with `handler`, for CLI tests. */
export async function startStubApi(
  handler: (request: StubRequest) => StubAnswer | Promise<StubAnswer>,
): Promise<StubApi> {
  const requests: StubRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://stub");
    const request: StubRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(request);
    const answer = await handler(request);
    const contentType =
      answer.contentType ?? (answer.status >= 400 ? "application/problem+json" : "application/json");
    res.writeHead(
      answer.status,
      answer.json === undefined && answer.text === undefined ? {} : { "content-type": contentType },
    );
    res.end(answer.text ?? (answer.json === undefined ? undefined : JSON.stringify(answer.json)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
