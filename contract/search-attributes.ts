import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every run carries; registered on the dev server and on clusters at start-up. */
export const searchAttributes = {
  project: defineSearchAttributeKey('CoProject', SearchAttributeType.KEYWORD),
  pipeline: defineSearchAttributeKey('CoPipeline', SearchAttributeType.KEYWORD),
  trigger: defineSearchAttributeKey('CoTrigger', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('CoStatus', SearchAttributeType.KEYWORD),
};

export const allSearchAttributes = Object.values(searchAttributes);
