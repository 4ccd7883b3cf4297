import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';

import { i18nNamespaces } from '@temporalio/ui/i18n/index';
import resources from '@temporalio/ui/i18n/locales/index';
import { fetchCluster, fetchSystemInfo } from '@temporalio/ui/services/cluster-service';
import { fetchNamespaces } from '@temporalio/ui/services/namespaces-service';
import { fetchSettings } from '@temporalio/ui/services/settings-service';

import '../app.css';

import type { LayoutLoad } from './$types';

// The embedded server serves build/ as static files with index.html for every other path.
export const ssr = false;
export const prerender = false;

let translationsReady: Promise<unknown> | undefined;

/**
 * What every page of the UI reads from `$page.data`: the server's settings (GET /api/v1/settings),
 * its cluster and system info (capabilities decide which features the components offer).
 */
export const load: LayoutLoad = async ({ fetch }) => {
  translationsReady ??= i18next.use(LanguageDetector).init({
    fallbackLng: 'en',
    load: 'languageOnly',
    ns: i18nNamespaces,
    defaultNS: 'common',
    detection: { order: ['querystring', 'localStorage', 'navigator'], caches: ['localStorage'], lookupQuerystring: 'lng', lookupLocalStorage: 'locale' },
    resources,
  });
  await translationsReady;

  const settings = await fetchSettings(fetch);
  fetchNamespaces(settings, fetch);
  const [cluster, systemInfo] = await Promise.all([fetchCluster(settings, fetch), fetchSystemInfo(settings, fetch)]);
  return { settings, cluster, systemInfo };
};
