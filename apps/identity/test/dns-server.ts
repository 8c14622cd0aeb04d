import dns2 from 'dns2';

const { Packet } = dns2;

type Answer = Parameters<ReturnType<typeof Packet.createResponseFromRequest>['answers']['push']>[0];
/** dns2's types want encoder methods on answers; its encoder builds them from plain records. */
const answer = (record: Record<string, unknown>) => record as unknown as Answer;

export interface Zone {
  a?: Record<string, string[]>;
  cname?: Record<string, string>;
}

/** A real authoritative DNS server on 127.0.0.1 (UDP) serving a fixed zone; other names are NXDOMAIN. */
export async function startDnsServer(
  zone: Zone,
): Promise<{ server: string; close(): Promise<void> }> {
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = (question?.name ?? '').toLowerCase();
      const target = zone.cname?.[name];
      const addresses = zone.a?.[target ?? name];
      if (!target && !addresses) {
        response.header.rcode = 3; // NXDOMAIN
        void send(response);
        return;
      }
      if (target)
        response.answers.push(
          answer({
            name,
            type: Packet.TYPE.CNAME,
            class: Packet.CLASS.IN,
            ttl: 60,
            domain: target,
          }),
        );
      if (question?.type === Packet.TYPE.A) {
        for (const address of addresses ?? []) {
          response.answers.push(
            answer({
              name: target ?? name,
              type: Packet.TYPE.A,
              class: Packet.CLASS.IN,
              ttl: 60,
              address,
            }),
          );
        }
      }
      void send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { udp } = server.addresses() as { udp: { port: number } };
  return { server: `127.0.0.1:${udp.port}`, close: () => server.close() };
}
