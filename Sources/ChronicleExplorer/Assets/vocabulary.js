// The API's closed lists of values, for filters and forms.

export const CATEGORIES = ['military', 'diplomacy', 'politics', 'protest', 'repression', 'election', 'statement', 'other'];
export const ROLES = ['initiator', 'target', 'participant', 'host', 'mediator', 'organizer', 'observer', 'victim'];
export const VERIFICATIONS = ['unverified', 'verified', 'disputed', 'misattributed'];
export const ACTOR_KINDS = ['person', 'organization', 'country', 'group'];
