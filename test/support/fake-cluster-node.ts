import { createServer, type Server, type Socket } from 'node:net';

/** One CLUSTER SLOTS request the node holds: answer it with a slot map, when the test says. */
export interface HeldSlotsRequest {
  /** Replies that `port` alone serves slots 0..`lastSlot`. */
  answer(port: number, lastSlot: number): void;
}

/**
 * A Redis Cluster node as far as node-redis's cluster client needs one (CLIENT SETINFO, PING, CLUSTER
 * SLOTS), on a free port of its own: CLUSTER SLOTS names this node as the only primary, serving
 * slots 0..lastSlot (a map with unserved slots makes RedisClusterClient re-read it every interval),
 * except that the next request after `holdNextSlotsRequest()` waits until the test answers it, as
 * a node that froze and resumed answers late, with the map it had.
 */
export class FakeClusterNode {
  private holding: ((request: HeldSlotsRequest) => void) | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly lastSlot: number,
  ) {
    server.on('connection', (socket) => this.serve(socket));
  }

  static async start(lastSlot: number): Promise<FakeClusterNode> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeClusterNode(server, (server.address() as { port: number }).port, lastSlot);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Resolves with the next CLUSTER SLOTS request, unanswered. */
  holdNextSlotsRequest(): Promise<HeldSlotsRequest> {
    return new Promise((resolve) => (this.holding = resolve));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(socket: Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let parsed = parseCommand(buffered); parsed; parsed = parseCommand(buffered)) {
        buffered = buffered.slice(parsed.length);
        this.answer(socket, parsed.args);
      }
    });
  }

  private answer(socket: Socket, args: string[]) {
    const command = args.slice(0, 2).join(' ').toUpperCase();
    if (command !== 'CLUSTER SLOTS') {
      socket.write(args[0]?.toUpperCase() === 'PING' ? '+PONG\r\n' : '+OK\r\n');
      return;
    }
    const holding = this.holding;
    this.holding = undefined;
    const reply = (port: number, lastSlot: number) => {
      if (!socket.destroyed) socket.write(slotsReply(port, lastSlot));
    };
    if (holding) holding({ answer: reply });
    else reply(this.port, this.lastSlot);
  }
}

function slotsReply(port: number, lastSlot: number): string {
  const host = '127.0.0.1';
  const id = String(port).padStart(40, '0');
  return `*1\r\n*3\r\n:0\r\n:${lastSlot}\r\n*3\r\n$${host.length}\r\n${host}\r\n:${port}\r\n$40\r\n${id}\r\n`;
}

/** One RESP array of bulk strings at the start of `text`, or undefined while it is incomplete. */
function parseCommand(text: string): { args: string[]; length: number } | undefined {
  const header = /^\*(\d+)\r\n/.exec(text);
  if (!header) return undefined;
  let offset = header[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(header[1]); i += 1) {
    const size = /^\$(\d+)\r\n/.exec(text.slice(offset));
    if (!size) return undefined;
    const start = offset + size[0].length;
    const end = start + Number(size[1]);
    if (text.length < end + 2) return undefined;
    args.push(text.slice(start, end));
    offset = end + 2;
  }
  return { args, length: offset };
}
