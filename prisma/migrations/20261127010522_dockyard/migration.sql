-- sha512 digests are 135 characters
ALTER TABLE `Artifact` DROP FOREIGN KEY `Artifact_digest_fkey`;
ALTER TABLE `Blob` MODIFY `digest` VARCHAR(140) NOT NULL;
ALTER TABLE `Artifact` MODIFY `digest` VARCHAR(140) NOT NULL;
ALTER TABLE `Artifact` ADD CONSTRAINT `Artifact_digest_fkey` FOREIGN KEY (`digest`) REFERENCES `Blob`(`digest`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE `Artifact` ADD COLUMN `kind` VARCHAR(16) NOT NULL DEFAULT 'artifact',
    ADD COLUMN `matrixKey` VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN `attempt` INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE INDEX `Artifact_createdAt_idx` ON `Artifact`(`createdAt`);

-- CreateTable
CREATE TABLE `RegistryBlob` (
    `id` VARCHAR(36) NOT NULL,
    `projectId` VARCHAR(36) NOT NULL,
    `repo` VARCHAR(255) NOT NULL,
    `digest` VARCHAR(140) NOT NULL,
    `size` BIGINT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `RegistryBlob_projectId_idx`(`projectId`),
    INDEX `RegistryBlob_digest_idx`(`digest`),
    UNIQUE INDEX `RegistryBlob_repo_digest_key`(`repo`, `digest`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `RegistryManifest` (
    `id` VARCHAR(36) NOT NULL,
    `projectId` VARCHAR(36) NOT NULL,
    `repo` VARCHAR(255) NOT NULL,
    `digest` VARCHAR(140) NOT NULL,
    `mediaType` VARCHAR(255) NOT NULL,
    `size` BIGINT NOT NULL,
    `artifactType` VARCHAR(255) NULL,
    `subject` VARCHAR(140) NULL,
    `annotations` JSON NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `RegistryManifest_projectId_idx`(`projectId`),
    INDEX `RegistryManifest_repo_subject_idx`(`repo`, `subject`),
    INDEX `RegistryManifest_digest_idx`(`digest`),
    UNIQUE INDEX `RegistryManifest_repo_digest_key`(`repo`, `digest`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `RegistryTag` (
    `id` VARCHAR(36) NOT NULL,
    `projectId` VARCHAR(36) NOT NULL,
    `repo` VARCHAR(255) NOT NULL,
    `name` VARCHAR(128) NOT NULL,
    `digest` VARCHAR(140) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `RegistryTag_projectId_idx`(`projectId`),
    UNIQUE INDEX `RegistryTag_repo_name_key`(`repo`, `name`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `RegistryBlob` ADD CONSTRAINT `RegistryBlob_projectId_fkey` FOREIGN KEY (`projectId`) REFERENCES `Project`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `RegistryBlob` ADD CONSTRAINT `RegistryBlob_digest_fkey` FOREIGN KEY (`digest`) REFERENCES `Blob`(`digest`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `RegistryManifest` ADD CONSTRAINT `RegistryManifest_projectId_fkey` FOREIGN KEY (`projectId`) REFERENCES `Project`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `RegistryManifest` ADD CONSTRAINT `RegistryManifest_digest_fkey` FOREIGN KEY (`digest`) REFERENCES `Blob`(`digest`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `RegistryTag` ADD CONSTRAINT `RegistryTag_projectId_fkey` FOREIGN KEY (`projectId`) REFERENCES `Project`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
