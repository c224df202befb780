-- Deliveries to a pipeline's webhook endpoint, accepted and rejected with the reason (the newest 100
-- per pipeline are kept by the API): headers minus signatures and tokens, the body's digest, size and
-- first 512 characters, never a secret or the full body.

-- CreateTable
CREATE TABLE `WebhookDelivery` (
    `id` VARCHAR(36) NOT NULL,
    `pipelineId` VARCHAR(36) NOT NULL,
    `provider` VARCHAR(32) NULL,
    `event` VARCHAR(64) NULL,
    `deliveryId` VARCHAR(255) NULL,
    `status` INTEGER NOT NULL,
    `outcome` VARCHAR(16) NOT NULL,
    `reason` VARCHAR(1000) NOT NULL,
    `headers` JSON NOT NULL,
    `bodyBytes` INTEGER NOT NULL,
    `bodyDigest` VARCHAR(71) NOT NULL,
    `bodyExcerpt` TEXT NOT NULL,
    `runId` VARCHAR(36) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `WebhookDelivery_pipelineId_createdAt_idx`(`pipelineId`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `WebhookDelivery` ADD CONSTRAINT `WebhookDelivery_pipelineId_fkey` FOREIGN KEY (`pipelineId`) REFERENCES `Pipeline`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
