-- AlterTable
ALTER TABLE `Run` ADD COLUMN `logsArchivedAt` DATETIME(3) NULL;

-- CreateIndex
CREATE INDEX `Run_logsArchivedAt_finishedAt_idx` ON `Run`(`logsArchivedAt`, `finishedAt`);

-- CreateTable
CREATE TABLE `LogArchive` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `runId` VARCHAR(36) NOT NULL,
    `stepId` VARCHAR(64) NOT NULL,
    `matrixKey` VARCHAR(255) NOT NULL DEFAULT '',
    `attempt` INTEGER NOT NULL,
    `digest` VARCHAR(140) NOT NULL,
    `firstId` BIGINT NOT NULL,
    `lastId` BIGINT NOT NULL,
    `rowCount` INTEGER NOT NULL,
    `size` BIGINT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `LogArchive_digest_idx`(`digest`),
    UNIQUE INDEX `LogArchive_runId_stepId_matrixKey_attempt_key`(`runId`, `stepId`, `matrixKey`, `attempt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `LogArchive` ADD CONSTRAINT `LogArchive_runId_fkey` FOREIGN KEY (`runId`) REFERENCES `Run`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `LogArchive` ADD CONSTRAINT `LogArchive_digest_fkey` FOREIGN KEY (`digest`) REFERENCES `Blob`(`digest`) ON DELETE RESTRICT ON UPDATE CASCADE;
