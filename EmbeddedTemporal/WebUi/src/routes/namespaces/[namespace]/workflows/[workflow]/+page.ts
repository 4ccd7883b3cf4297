import { error, redirect } from '@sveltejs/kit';

import { fetchWorkflowForRunId } from '@temporalio/ui/services/workflow-service';
import { routeForEventHistory } from '@temporalio/ui/utilities/route-for';

import type { PageLoad } from './$types';

// A link without a run id opens the workflow's latest run.
export const load: PageLoad = async ({ params, fetch }) => {
  const { runId } = await fetchWorkflowForRunId({ namespace: params.namespace, workflowId: params.workflow }, fetch);
  if (!runId) {
    error(404, `Workflow ${params.workflow} not found`);
  }
  redirect(302, routeForEventHistory({ namespace: params.namespace, workflow: params.workflow, run: runId }));
};
