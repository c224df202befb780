-- AlterTable
ALTER TABLE `ComponentVersion` MODIFY `image` VARCHAR(512) NULL,
    ADD COLUMN `digest` VARCHAR(71) NOT NULL,
    ADD COLUMN `yanked` BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN `yankedAt` DATETIME(3) NULL;
