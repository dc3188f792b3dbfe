export declare const CLIENT_ADDRESS_HEADER: "x-margin-client-ip";
export declare function trustedProxyHops(value: string | undefined): number;
export declare function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string | null;
