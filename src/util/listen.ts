// Starts an HTTP server listening (127.0.0.1 and a free port by default) and gives its base URL; closes one with its
// kept-alive connections. Shared by the simulator and the gateway.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = host !== "0.0.0.0" && host !== "::" ? host : "127.0.0.1";
  return { port: address.port, url: `http://${shown.includes(":") ? `[${shown}]` : shown}:${address.port}` };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
