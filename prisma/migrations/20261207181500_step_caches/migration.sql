-- CreateTable
CREATE TABLE `CacheEntry` (
    `id` VARCHAR(36) NOT NULL,
    `projectId` VARCHAR(36) NOT NULL,
    `scope` VARCHAR(255) NOT NULL,
    `key` VARCHAR(400) NOT NULL,
    `digest` VARCHAR(140) NOT NULL,
    `size` BIGINT NOT NULL,
    `runId` VARCHAR(36) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `lastUsedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `CacheEntry_projectId_lastUsedAt_idx`(`projectId`, `lastUsedAt`),
    INDEX `CacheEntry_digest_idx`(`digest`),
    UNIQUE INDEX `CacheEntry_projectId_scope_key_key`(`projectId`, `scope`, `key`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `CacheEntry` ADD CONSTRAINT `CacheEntry_projectId_fkey` FOREIGN KEY (`projectId`) REFERENCES `Project`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `CacheEntry` ADD CONSTRAINT `CacheEntry_digest_fkey` FOREIGN KEY (`digest`) REFERENCES `Blob`(`digest`) ON DELETE RESTRICT ON UPDATE CASCADE;
