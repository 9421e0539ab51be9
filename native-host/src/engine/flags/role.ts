// Local parts that usually reach a team or a system rather than one person.
const ROLE_LOCAL_PARTS = new Set([
  'abuse', 'accounting', 'accounts', 'admin', 'administrator', 'all', 'billing', 'bookings',
  'careers', 'compliance', 'contact', 'contactus', 'customerservice', 'daemon', 'dev',
  'donotreply', 'do-not-reply', 'enquiries', 'enquiry', 'feedback', 'finance', 'help',
  'helpdesk', 'hello', 'hostmaster', 'hr', 'info', 'inquiries', 'inquiry', 'investors', 'it',
  'jobs', 'legal', 'mail', 'mailer-daemon', 'marketing', 'media', 'newsletter', 'no-reply',
  'noc', 'noreply', 'notifications', 'office', 'orders', 'postmaster', 'press', 'privacy',
  'recruitment', 'reception', 'root', 'sales', 'security', 'service', 'services', 'shop',
  'staff', 'subscribe', 'support', 'sysadmin', 'team', 'tech', 'unsubscribe', 'webmaster',
]);

/** True for role addresses such as info@ or Support+eu@ (the "+tag" is ignored). */
export function isRoleAccount(localPart: string): boolean {
  const base = localPart.split('+', 1)[0] ?? '';
  return ROLE_LOCAL_PARTS.has(base.toLowerCase());
}
