-- CreateTable
CREATE TABLE `WebhookBodyDigest` (
    `webhookId` VARCHAR(36) NOT NULL,
    `digest` VARCHAR(64) NOT NULL,
    `delivery` VARCHAR(255) NULL,
    `expiresAt` DATETIME(3) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `WebhookBodyDigest_expiresAt_idx`(`expiresAt`),
    PRIMARY KEY (`webhookId`, `digest`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `WebhookBodyDigest` ADD CONSTRAINT `WebhookBodyDigest_webhookId_fkey` FOREIGN KEY (`webhookId`) REFERENCES `Webhook`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
