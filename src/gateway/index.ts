// `nexus-batch/gateway`: the OpenAI- and Anthropic-compatible gateway (`nexus serve`), for programs that start it
// themselves and point their clients' base URL at it.
export { startGateway, type Gateway } from "./start-gateway.js";
export type { GatewayOptions } from "./gateway-options.js";
export { closeNexusBackends } from "../dropins/shared-backend.js";
