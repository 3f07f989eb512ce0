/**
 * The store's network cable, between the terminal and the simulator: a real TCP forwarder that
 * can be unplugged (connections refused, open ones cut) and plugged back in on the same port.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type Cable = Readonly<{ url: string; unplug(): Promise<void>; plug(): Promise<void>; close(): Promise<void> }>;

export async function startCable(target: string): Promise<Cable> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const remote = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
        for (const s of [client, remote]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(remote).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as { port: number }).port;
        resolve();
      });
    });
  const unplug = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await listen();
  return { url: `http://127.0.0.1:${port}`, unplug, plug: listen, close: unplug };
}
