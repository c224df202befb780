-- The replay guard covers forge webhooks too: a digest is keyed by its receiving endpoint
-- (`hook:<webhookId>` or `forge:<forgeRepositoryId>`) instead of the project webhook alone.

-- DropForeignKey (its index is the primary key, which changes)
ALTER TABLE `WebhookBodyDigest` DROP FOREIGN KEY `WebhookBodyDigest_webhookId_fkey`;

-- AlterTable
ALTER TABLE `WebhookBodyDigest` ADD COLUMN `source` VARCHAR(48) NULL FIRST,
    ADD COLUMN `forgeRepositoryId` VARCHAR(36) NULL AFTER `webhookId`;
UPDATE `WebhookBodyDigest` SET `source` = CONCAT('hook:', `webhookId`);
ALTER TABLE `WebhookBodyDigest` MODIFY `source` VARCHAR(48) NOT NULL,
    MODIFY `webhookId` VARCHAR(36) NULL,
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (`source`, `digest`);

-- CreateIndex
CREATE INDEX `WebhookBodyDigest_webhookId_idx` ON `WebhookBodyDigest`(`webhookId`);
CREATE INDEX `WebhookBodyDigest_forgeRepositoryId_idx` ON `WebhookBodyDigest`(`forgeRepositoryId`);

-- AddForeignKey
ALTER TABLE `WebhookBodyDigest` ADD CONSTRAINT `WebhookBodyDigest_webhookId_fkey` FOREIGN KEY (`webhookId`) REFERENCES `Webhook`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `WebhookBodyDigest` ADD CONSTRAINT `WebhookBodyDigest_forgeRepositoryId_fkey` FOREIGN KEY (`forgeRepositoryId`) REFERENCES `ForgeRepository`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
