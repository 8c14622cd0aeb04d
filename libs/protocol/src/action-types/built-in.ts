import { z } from 'zod';

import { type ActionTypeDefinition } from './definition';

const text = (max: number) => z.string().max(max);
const role = z.enum(['observer', 'member', 'moderator', 'admin']);

/** The built-in types of protocol §2.3. */
export const BUILT_IN_ACTION_TYPES: readonly ActionTypeDefinition[] = [
  {
    type: 'CONN',
    subTypes: ['ACC', 'DEL'],
    fields: { aud: 'required', p: 'forbidden', sub: 'forbidden', a: 'forbidden' },
    content: text(500),
    behaviour: { allowUnknown: true },
    key: '{type}:{issuer}:{audience}',
  },
  {
    type: 'FLLW',
    subTypes: ['DEL'],
    fields: { aud: 'required', p: 'forbidden', sub: 'forbidden', a: 'forbidden' },
    content: text(500),
    behaviour: { allowUnknown: true },
    key: '{type}:{issuer}:{audience}',
  },
  {
    type: 'POST',
    subTypes: ['TEXT', 'IMG', 'VID', 'DEL'],
    fields: { c: 'required' },
    content: text(50_000),
    behaviour: { broadcast: true, approvable: true },
  },
  {
    type: 'CMNT',
    subTypes: ['DEL'],
    fields: { c: 'required', p: 'required' },
    content: text(10_000),
    behaviour: { allowUnknown: true },
    gatedBy: 'parent-comments',
  },
  {
    type: 'REACT',
    subTypes: ['LIKE', 'LOVE', 'LAUGH', 'WOW', 'SAD', 'ANGRY', 'DEL'],
    fields: { sub: 'required', c: 'forbidden', p: 'forbidden' },
    behaviour: { allowUnknown: true },
    key: '{type}:{subject}:{issuer}',
    gatedBy: 'subject-reactions',
  },
  {
    type: 'MSG',
    // TEXT: what the upstream messages app sends (a plain message, as a bare MSG).
    subTypes: ['TEXT', 'DEL'],
    fields: { c: 'required' },
    content: text(50_000),
    behaviour: { approvable: true, requiresSubscription: true },
  },
  {
    type: 'REPOST',
    subTypes: ['DEL'],
    fields: { sub: 'required' },
    content: text(1_000),
    behaviour: {
      broadcast: true,
      approvable: true,
      deliverSubject: true,
      deliverToSubjectOwner: true,
    },
    key: '{type}:{subject}:{issuer}:{audience}',
  },
  {
    type: 'APRV',
    fields: { sub: 'required', c: 'forbidden', a: 'forbidden' },
    behaviour: { broadcast: true, deliverSubject: true },
  },
  {
    type: 'STAT',
    fields: { p: 'required' },
    content: z.record(z.string(), z.unknown()),
    behaviour: { broadcast: true },
    key: '{type}:{parent}',
  },
  {
    type: 'IDP:REG',
    fields: { aud: 'required' },
    content: z.looseObject({ idTag: z.string().min(1).max(253) }),
    behaviour: { allowUnknown: true },
    key: '{type}:{issuer}:{audience}:{content.idTag}',
  },
  {
    type: 'PRES',
    subTypes: ['TYPING', 'ONLINE', 'AWAY', 'OFFLINE'],
    fields: { sub: 'required' },
    behaviour: { allowUnknown: true, ephemeral: true },
  },
  {
    type: 'SUBS',
    subTypes: ['DEL', 'UPD'],
    fields: { aud: 'required', sub: 'required' },
    content: z.object({
      role: role.optional(),
      invitedBy: z.string().max(253).optional(),
      message: text(1_000).optional(),
    }),
    behaviour: { allowUnknown: true },
    key: '{type}:{subject}:{issuer}',
  },
  {
    type: 'FSHR',
    subTypes: ['DEL', 'COMMENT', 'WRITE', 'ADMIN'],
    fields: { aud: 'required', sub: 'required' },
    content: z.object({
      contentType: z.string().min(1).max(200),
      fileName: z.string().min(1).max(500),
      fileTp: z.enum(['BLOB', 'CRDT', 'RTDB']),
    }),
    behaviour: { requiresAcceptance: true },
    key: '{type}:{subject}:{audience}',
  },
  {
    type: 'CONV',
    subTypes: ['UPD', 'DEL'],
    fields: {},
    content: z.object({ name: z.string().min(1).max(100), description: text(1_000).optional() }),
    behaviour: { subscribable: true, relayChildren: true },
    defaults: { flags: 'rco', visibility: 'S' },
  },
  {
    type: 'INVT',
    subTypes: ['DEL'],
    fields: { aud: 'required', sub: 'required' },
    content: z.object({ role: role.optional(), message: text(1_000).optional() }),
    behaviour: { deliverSubject: true, deliverToSubjectOwner: true },
    key: '{type}:{subject}:{audience}',
  },
  {
    type: 'PRINVT',
    fields: { aud: 'required' },
    content: z.object({
      refId: z.string().min(1).max(128),
      nodeName: text(200).optional(),
      message: text(1_000).optional(),
    }),
    key: '{type}:{issuer}:{audience}',
  },
  {
    type: 'APKG',
    subTypes: ['DEL'],
    fields: { a: 'required' },
    content: z.looseObject({
      name: z.string().min(1).max(200),
      version: z.string().min(1).max(50),
    }),
    behaviour: { allowUnknown: true, localOnly: true },
    key: '{type}:{content.name}',
  },
  {
    type: 'PROXY',
    fields: { aud: 'required', c: 'forbidden', p: 'forbidden', sub: 'forbidden', a: 'forbidden' },
    behaviour: { tokenExchangeOnly: true },
  },
];
