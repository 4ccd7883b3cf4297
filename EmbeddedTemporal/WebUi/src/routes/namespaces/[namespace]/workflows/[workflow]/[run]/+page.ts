import { redirect } from '@sveltejs/kit';

import { routeForEventHistory } from '@temporalio/ui/utilities/route-for';

import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => {
  redirect(302, routeForEventHistory({ namespace: params.namespace, workflow: params.workflow, run: params.run }));
};
