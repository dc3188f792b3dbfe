import type { JobDefinition } from "./define";
import { routingJob } from "@/lib/routing/schedule";

/** Every background job a worker runs. A new job (webhooks, model or judge calls) is defined with defineJob and listed here. */
export const allJobs: JobDefinition<never>[] = [routingJob as unknown as JobDefinition<never>];
