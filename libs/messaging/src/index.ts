export { HandleEvent } from './handle-event';
export { HandleRequest } from './handle-request';
export { MessagingModule, NATS_CONNECTION, type MessagingOptions } from './messaging.module';
export { natsMicroservice } from './nats-server';
export { NatsRpcTransport } from './nats-transport';
export { natsConnectionOptions } from './nats-url';
export { RpcErrorFilter } from './rpc-error.filter';
