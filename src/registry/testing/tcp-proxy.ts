// Test helper: a TCP relay in front of a server that counts the bytes flowing back to the client,
// can throttle them, cut every connection once a byte budget is spent, or stall one connection.

import { createServer, connect, type Socket } from "node:net";

export interface TcpProxy {
  host: string;
  port: number;
  /** Bytes relayed server → client since the last reset. */
  downstream: number;
  reset(): void;
  /** Destroy every open connection once `downstream` passes this many bytes (one shot). */
  cutAfter?: number;
  /** Bytes relayed client → server since the last reset. */
  upstream: number;
  /** Destroy every open connection once `upstream` passes this many bytes (one shot). */
  cutUpstreamAfter?: number;
  /** Stop relaying on one connection (without closing it) once `downstream` passes this (one shot). */
  stallAfter?: number;
  /** Max bytes per second server → client; 0 = unthrottled. */
  rate: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let started = Date.now();
  let sent = 0; // bytes counted for throttling since the last reset
  const proxy: TcpProxy = {
    host: "",
    port: 0,
    downstream: 0,
    upstream: 0,
    rate: 0,
    reset() {
      proxy.downstream = 0;
      proxy.upstream = 0;
      sent = 0;
      started = Date.now();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      proxy.upstream += chunk.length;
      if (proxy.cutUpstreamAfter !== undefined && proxy.upstream > proxy.cutUpstreamAfter) {
        proxy.cutUpstreamAfter = undefined;
        for (const s of sockets) s.destroy();
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      proxy.downstream += chunk.length;
      sent += chunk.length;
      if (proxy.cutAfter !== undefined && proxy.downstream > proxy.cutAfter) {
        proxy.cutAfter = undefined;
        for (const s of sockets) s.destroy();
        return;
      }
      if (proxy.stallAfter !== undefined && proxy.downstream > proxy.stallAfter) {
        proxy.stallAfter = undefined;
        upstream.pause();
        client.pause();
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once("drain", () => upstream.resume());
      }
      if (proxy.rate > 0) {
        const ahead = sent / proxy.rate - (Date.now() - started) / 1000;
        if (ahead > 0.005) {
          upstream.pause();
          setTimeout(() => upstream.resume(), ahead * 1000);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  proxy.port = (server.address() as { port: number }).port;
  proxy.host = `127.0.0.1:${proxy.port}`;
  return proxy;
}
