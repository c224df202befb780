-- AlterTable
ALTER TABLE `Project` ADD COLUMN `badgesPublic` BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE `ForgeRepository` (
    `id` VARCHAR(36) NOT NULL,
    `projectId` VARCHAR(36) NOT NULL,
    `serviceId` VARCHAR(36) NOT NULL,
    `repository` VARCHAR(255) NOT NULL,
    `secret` TEXT NOT NULL,
    `hookId` VARCHAR(64) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `ForgeRepository_serviceId_idx`(`serviceId`),
    UNIQUE INDEX `ForgeRepository_projectId_repository_key`(`projectId`, `repository`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `ForgeRepository` ADD CONSTRAINT `ForgeRepository_projectId_fkey` FOREIGN KEY (`projectId`) REFERENCES `Project`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `ForgeRepository` ADD CONSTRAINT `ForgeRepository_serviceId_fkey` FOREIGN KEY (`serviceId`) REFERENCES `Service`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
